using CallStream.Cli;

var context = CliContext.CreateForConsole();
try
{
    return await CliApplication.RunAsync(args, context);
}
finally
{
    await context.Out.FlushAsync();
    await context.Error.FlushAsync();
}
