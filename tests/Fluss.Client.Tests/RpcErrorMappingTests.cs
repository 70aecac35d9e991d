using Fluss.Errors;
using Fluss.Rpc;
using Grpc.Core;

namespace Fluss.Tests.Client;

public class RpcErrorMappingTests
{
    [Fact]
    public void FromRpcException_ConnectionClosedByServer_IsARetriableNetworkError()
    {
        var closed = new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call.",
            new HttpRequestException("The HTTP/2 server closed the connection.")));
        var error = RpcErrors.FromRpcException(closed, "tablet server 0");
        Assert.Equal(FlussErrorCode.Network, error.ErrorCode);
        Assert.True(error.IsRetriable);
        Assert.Contains("tablet server 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRpcException_InternalErrorWithoutTransportFailure_IsAServerError()
    {
        var error = RpcErrors.FromRpcException(new RpcException(new Status(StatusCode.Internal, "boom")), "coordinator");
        Assert.Equal(FlussErrorCode.UnknownServerError, error.ErrorCode);
        Assert.False(error.IsRetriable);
    }

    [Fact]
    public void FromRpcException_FlussTrailer_WinsOverTheStatus()
    {
        var trailers = new Grpc.Core.Metadata { { RpcErrors.ErrorCodeTrailer, "7" } };
        var error = RpcErrors.FromRpcException(new RpcException(new Status(StatusCode.NotFound, "Table a.b does not exist."), trailers), "coordinator");
        Assert.IsType<TableNotExistException>(error);
    }
}
