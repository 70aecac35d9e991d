using Fluss.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Fluss.Rpc;

/// <summary>
/// Server-side interceptor: a <see cref="FlussException"/> thrown by a handler ends the call with its Fluss error
/// code in the trailer; argument errors become INVALID_TABLE-style client errors; anything else becomes
/// UNKNOWN_SERVER_ERROR with the message, and the server keeps serving.
/// </summary>
internal sealed class FlussErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (FlussException e)
        {
            throw RpcErrors.ToRpcException(e);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw RpcErrors.ToRpcException(new FlussException(FlussErrorCode.InvalidTable, e.Message, e));
        }
        catch (Exception e)
        {
            throw RpcErrors.ToRpcException(new FlussException(FlussErrorCode.UnknownServerError, $"{e.GetType().Name}: {e.Message}", e));
        }
    }
}
