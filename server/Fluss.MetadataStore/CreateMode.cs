namespace Fluss.MetadataStore;

/// <summary>How a node is created; the numeric values are ZooKeeper's <c>CreateMode</c> flags.</summary>
public enum CreateMode
{
    /// <summary>The node stays until it is deleted.</summary>
    Persistent = 0,

    /// <summary>The node is deleted when the session that created it closes or expires. It cannot have children.</summary>
    Ephemeral = 1,

    /// <summary>A persistent node whose name gets a 10-digit, zero-padded suffix: the parent's child version (cversion).</summary>
    PersistentSequential = 2,

    /// <summary>An ephemeral node whose name gets a 10-digit, zero-padded suffix: the parent's child version (cversion).</summary>
    EphemeralSequential = 3,
}

/// <summary>Queries on <see cref="CreateMode"/>.</summary>
public static class CreateModeExtensions
{
    public static bool IsEphemeral(this CreateMode mode) => mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential;

    public static bool IsSequential(this CreateMode mode) => mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential;
}
