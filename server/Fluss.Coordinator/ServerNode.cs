using System.Globalization;

namespace Fluss.Coordinator;

/// <summary>A server of the cluster as clients and other servers reach it: id, host, port and rack (null when unknown).</summary>
/// <param name="Id">The server id (the coordinator is 0 in metadata responses; tablet servers have their configured id).</param>
/// <param name="Host">Host name or address to connect to.</param>
/// <param name="Port">Port of the gRPC endpoint.</param>
/// <param name="Rack">Rack of a tablet server, null when not configured.</param>
public sealed record ServerNode(int Id, string Host, int Port, string? Rack = null)
{
    /// <summary>The gRPC address, <c>http://host:port</c> (h2c).</summary>
    public Uri Address => new($"http://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}");

    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)} (id {Id.ToString(CultureInfo.InvariantCulture)})";
}
