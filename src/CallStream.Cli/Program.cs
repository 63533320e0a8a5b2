using CallStream.Cli;

var context = CliContext.CreateForConsole();
int exitCode = await CliApplication.RunAsync(args, context);
try
{
    await context.Out.FlushAsync();
    await context.Error.FlushAsync();
}
catch (IOException)
{
    // Reported already: RunAsync flushed standard output and turned a failure into the exit code.
    return exitCode == 0 ? 1 : exitCode;
}
return exitCode;
