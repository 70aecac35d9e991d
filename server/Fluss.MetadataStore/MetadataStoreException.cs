namespace Fluss.MetadataStore;

/// <summary>
/// Error codes of metadata store operations. The numeric values are ZooKeeper's <c>KeeperException.Code</c>, except
/// <see cref="InvalidPath"/>, which is a client-side check (ZooKeeper's clients reject such paths before sending).
/// </summary>
public enum MetadataStoreErrorCode
{
    /// <summary>No error (used in the per-op results of a failed multi for ops before the failing one).</summary>
    Ok = 0,
    SystemError = -1,

    /// <summary>In a failed multi: this op was not attempted because an earlier op failed.</summary>
    RuntimeInconsistency = -2,
    DataInconsistency = -3,

    /// <summary>The connection to the store was lost (or the embedded store was closed); the outcome of the call is unknown.</summary>
    ConnectionLoss = -4,
    MarshallingError = -5,
    Unimplemented = -6,
    OperationTimeout = -7,

    /// <summary>The request is malformed (for example data over the size limit).</summary>
    BadArguments = -8,
    UnknownSession = -12,
    ApiError = -100,

    /// <summary>The node (or, for a create, its parent) does not exist.</summary>
    NoNode = -101,
    NoAuth = -102,

    /// <summary>The node's version is not the expected one.</summary>
    BadVersion = -103,

    /// <summary>Ephemeral nodes cannot have children.</summary>
    NoChildrenForEphemerals = -108,

    /// <summary>The node already exists.</summary>
    NodeExists = -110,

    /// <summary>The node has children and cannot be deleted.</summary>
    NotEmpty = -111,

    /// <summary>The session expired; its ephemeral nodes were deleted. Open a new handle.</summary>
    SessionExpired = -112,
    InvalidCallback = -113,
    InvalidAcl = -114,
    AuthFailed = -115,
    SessionMoved = -118,
    NotReadOnly = -119,

    /// <summary>The path is not a valid absolute node path (client-side check, no ZooKeeper server code).</summary>
    InvalidPath = -1001,
}

/// <summary>A failed metadata store operation: the <see cref="Code"/> says why and <see cref="Path"/> names the node.</summary>
public class MetadataStoreException : Exception
{
    public MetadataStoreException(MetadataStoreErrorCode code, string? path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Path = path;
    }

    public MetadataStoreException() : this(MetadataStoreErrorCode.SystemError, null, "metadata store error") { }

    public MetadataStoreException(string message) : this(MetadataStoreErrorCode.SystemError, null, message) { }

    public MetadataStoreException(string message, Exception innerException) : this(MetadataStoreErrorCode.SystemError, null, message, innerException) { }

    /// <summary>Why the operation failed.</summary>
    public MetadataStoreErrorCode Code { get; }

    /// <summary>The node the error is about, when there is one.</summary>
    public string? Path { get; }

    /// <summary>For a failed <see cref="IMetadataStore.MultiAsync"/>: the index of the op that failed; otherwise null.</summary>
    public int? FailedOpIndex { get; init; }

    /// <summary>
    /// For a failed <see cref="IMetadataStore.MultiAsync"/>: one <see cref="ErrorResult"/> per op, as ZooKeeper reports
    /// them: <see cref="MetadataStoreErrorCode.Ok"/> before the failing op, its code at it, and
    /// <see cref="MetadataStoreErrorCode.RuntimeInconsistency"/> after it. Null otherwise.
    /// </summary>
    public IReadOnlyList<OpResult>? Results { get; init; }

    /// <summary>The standard message for a code and path, in the words the store uses everywhere.</summary>
    public static MetadataStoreException For(MetadataStoreErrorCode code, string? path, string? detail = null)
    {
        var what = code switch
        {
            MetadataStoreErrorCode.NoNode => $"node {path} does not exist",
            MetadataStoreErrorCode.NodeExists => $"node {path} already exists",
            MetadataStoreErrorCode.BadVersion => $"node {path} is not at the expected version",
            MetadataStoreErrorCode.NotEmpty => $"node {path} has children and cannot be deleted",
            MetadataStoreErrorCode.NoChildrenForEphemerals => $"cannot create {path}: its parent is ephemeral and ephemeral nodes cannot have children",
            MetadataStoreErrorCode.SessionExpired => "the session has expired; its ephemeral nodes were deleted; open a new session",
            MetadataStoreErrorCode.ConnectionLoss => "the connection to the metadata store was lost",
            MetadataStoreErrorCode.InvalidPath => $"invalid path '{path}'",
            MetadataStoreErrorCode.BadArguments => $"bad arguments for {path}",
            _ => $"{code} at {path}",
        };
        return new MetadataStoreException(code, path, detail is null ? what : $"{what}: {detail}");
    }
}
