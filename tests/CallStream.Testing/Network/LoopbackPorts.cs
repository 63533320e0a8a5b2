using System.Net;
using System.Net.Sockets;

namespace CallStream.Testing.Network;

/// <summary>Ports on the loopback interface for tests of servers that are not there.</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port that was just free: bound, noted and released, so connecting to it is refused.</summary>
    /// <returns>The port.</returns>
    public static int Closed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
