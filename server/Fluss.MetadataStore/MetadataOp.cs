namespace Fluss.MetadataStore;

/// <summary>One operation of an atomic <see cref="IMetadataStore.MultiAsync"/>; build them with the static factories.</summary>
public abstract record MetadataOp(string Path)
{
    /// <summary>Succeeds when the node exists and (unless <paramref name="version"/> is -1) is at that version.</summary>
    public static CheckOp Check(string path, int version) => new(path, version);

    /// <summary>Creates a node, as <see cref="IMetadataStore.CreateAsync"/>.</summary>
    public static CreateOp Create(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent) => new(path, data, mode);

    /// <summary>Sets a node's data, as <see cref="IMetadataStore.SetAsync"/>.</summary>
    public static SetOp Set(string path, ReadOnlyMemory<byte> data, int expectedVersion = -1) => new(path, data, expectedVersion);

    /// <summary>Deletes a node, as <see cref="IMetadataStore.DeleteAsync"/>.</summary>
    public static DeleteOp Delete(string path, int expectedVersion = -1) => new(path, expectedVersion);
}

public sealed record CheckOp(string Path, int Version) : MetadataOp(Path);

public sealed record CreateOp(string Path, ReadOnlyMemory<byte> Data, CreateMode Mode) : MetadataOp(Path);

public sealed record SetOp(string Path, ReadOnlyMemory<byte> Data, int ExpectedVersion) : MetadataOp(Path);

public sealed record DeleteOp(string Path, int ExpectedVersion) : MetadataOp(Path);

/// <summary>The result of one op of a multi.</summary>
public abstract record OpResult;

public sealed record CheckResult : OpResult;

/// <summary>A created node: its actual path (with the sequence suffix for sequential nodes) and its stat.</summary>
public sealed record CreateResult(string Path, Stat Stat) : OpResult;

public sealed record SetResult(Stat Stat) : OpResult;

public sealed record DeleteResult : OpResult;

/// <summary>The outcome of an op in a failed multi (see <see cref="MetadataStoreException.Results"/>).</summary>
public sealed record ErrorResult(MetadataStoreErrorCode Code) : OpResult;
