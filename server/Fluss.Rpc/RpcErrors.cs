using System.Globalization;
using Fluss.Errors;
using Grpc.Core;

namespace Fluss.Rpc;

/// <summary>
/// Maps Fluss errors to and from gRPC: a failed call carries the Fluss error code in the <c>fluss-error-code</c>
/// trailer, and the client turns it back into the typed <see cref="FlussException"/>.
/// </summary>
internal static class RpcErrors
{
    public const string ErrorCodeTrailer = "fluss-error-code";

    /// <summary>The gRPC status of a failed call with a Fluss error.</summary>
    public static RpcException ToRpcException(FlussException error)
    {
        var trailers = new Grpc.Core.Metadata { { ErrorCodeTrailer, ((int)error.ErrorCode).ToString(CultureInfo.InvariantCulture) } };
        return new RpcException(new Status(StatusCodeOf(error.ErrorCode), error.Message), trailers, error.Message);
    }

    /// <summary>The Fluss exception a failed call stands for; transport failures become NETWORK errors (retriable).</summary>
    public static FlussException FromRpcException(RpcException error, string target)
    {
        var code = error.Trailers.GetValue(ErrorCodeTrailer);
        if (code is not null && int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c))
            return FlussException.Create(FlussErrors.FromCode(c), error.Status.Detail);
        // A connection the server closed (restart, GOAWAY) or a broken stream surfaces as INTERNAL with the transport
        // error as debug exception: that is a network failure the client may retry, not a server error.
        if (error.StatusCode is StatusCode.Internal or StatusCode.Unknown && IsTransportFailure(error.Status.DebugException))
            return new FlussException(FlussErrorCode.Network, $"The connection to {target} failed: {error.Status.Detail}", error);
        return error.StatusCode switch
        {
            StatusCode.Unavailable => new FlussException(FlussErrorCode.Network, $"Cannot reach the Fluss server at {target}: {error.Status.Detail}", error),
            StatusCode.DeadlineExceeded => new FlussException(FlussErrorCode.RequestTimeOut, $"The request to {target} timed out.", error),
            StatusCode.Cancelled => new FlussException(FlussErrorCode.Network, $"The request to {target} was cancelled: {error.Status.Detail}", error),
            StatusCode.ResourceExhausted => new FlussException(FlussErrorCode.RecordTooLarge, $"The request to {target} is too large: {error.Status.Detail}", error),
            StatusCode.Unimplemented => new FlussException(FlussErrorCode.UnsupportedVersion, $"The server at {target} does not support this call: {error.Status.Detail}", error),
            _ => new FlussException(FlussErrorCode.UnknownServerError, $"The server at {target} failed: {error.Status.Detail}", error),
        };
    }

    private static bool IsTransportFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is HttpRequestException or IOException or System.Net.Sockets.SocketException) return true;
        return false;
    }

    private static StatusCode StatusCodeOf(FlussErrorCode code) => code switch
    {
        FlussErrorCode.DatabaseNotExist or FlussErrorCode.TableNotExist or FlussErrorCode.SchemaNotExist
            or FlussErrorCode.PartitionNotExists or FlussErrorCode.UnknownTableOrBucket => StatusCode.NotFound,
        FlussErrorCode.DatabaseAlreadyExist or FlussErrorCode.TableAlreadyExist or FlussErrorCode.PartitionAlreadyExists => StatusCode.AlreadyExists,
        FlussErrorCode.Network or FlussErrorCode.LeaderNotAvailable or FlussErrorCode.NotLeaderOrFollower => StatusCode.Unavailable,
        FlussErrorCode.RequestTimeOut => StatusCode.DeadlineExceeded,
        FlussErrorCode.UnknownServerError => StatusCode.Internal,
        _ => StatusCode.FailedPrecondition,
    };
}
