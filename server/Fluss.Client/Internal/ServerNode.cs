using System.Globalization;

namespace Fluss.Client.Internal;

/// <summary>A server of the cluster as the metadata describes it; <see cref="Id"/> is -1 for a bootstrap address.</summary>
internal sealed record ServerNode(int Id, string Host, int Port, ServerRole Role)
{
    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public string Endpoint => "http://" + Address;

    public override string ToString() => Role switch
    {
        ServerRole.Coordinator => $"coordinator {Address}",
        ServerRole.TabletServer => string.Create(CultureInfo.InvariantCulture, $"tablet server {Id} ({Address})"),
        _ => Address,
    };
}

internal enum ServerRole
{
    Bootstrap,
    Coordinator,
    TabletServer,
}
