using System.Data.Common;

namespace Fluss.Data;

/// <summary>
/// The ADO.NET provider factory of Fluss (invariant name <see cref="ProviderInvariantName"/>): register it with
/// <c>DbProviderFactories.RegisterFactory(FlussClientFactory.ProviderInvariantName, FlussClientFactory.Instance)</c>.
/// </summary>
public sealed class FlussClientFactory : DbProviderFactory
{
    public const string ProviderInvariantName = "Fluss.Data";

    public static readonly FlussClientFactory Instance = new();

    private FlussClientFactory()
    {
    }

    public override DbConnection CreateConnection() => new FlussDbConnection();

    public override DbCommand CreateCommand() => new FlussDbCommand();

    public override DbParameter CreateParameter() => new FlussDbParameter();

    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new FlussConnectionStringBuilder();

    public override bool CanCreateDataSourceEnumerator => false;
}
