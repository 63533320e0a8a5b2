namespace CallStream.Hosting;

/// <summary>Creates the <see cref="RuleFileSource"/>s of the host and stops their file watchers when the container is disposed.</summary>
internal sealed class RuleFileSourceFactory : IDisposable
{
    private readonly List<RuleFileSource> _created = [];

    public RuleFileSource Create(RuleFileRegistration registration)
    {
        var source = new RuleFileSource(registration.FullPath, registration.ReloadOnChange);
        lock (_created)
            _created.Add(source);
        return source;
    }

    public void Dispose()
    {
        lock (_created)
        {
            foreach (var source in _created)
                source.Dispose();
            _created.Clear();
        }
    }
}
