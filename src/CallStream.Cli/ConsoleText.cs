using CallStream.Text;

namespace CallStream.Cli;

/// <summary>
/// Makes text given by the user (a file name, an option's value, a system message quoting them) safe to print in one
/// line on a terminal, so that a file named with a line break or an escape code cannot break an error line, forge
/// another one or clear the screen.
/// </summary>
internal static class ConsoleText
{
    /// <summary>Escapes what could break, forge or reorder a line on a terminal (see <see cref="TerminalText.Escape"/>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text itself when nothing needs escaping. Escaping twice changes nothing more.</returns>
    public static string Escape(string text) => TerminalText.Escape(text);
}
