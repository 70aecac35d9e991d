using System.Net.Http;
using System.Net.Sockets;
using Fluss.Errors;
using Fluss.Rpc;
using Grpc.Core;

namespace Fluss.Client.Internal;

/// <summary>Runs one unary call with a deadline and turns failures into typed <see cref="FlussException"/>s.</summary>
internal static class RpcCall
{
    /// <summary>Calls with a deadline of <paramref name="timeout"/> from now (system clock).</summary>
    /// <exception cref="FlussException">The server's error, NETWORK when it cannot be reached, REQUEST_TIME_OUT at the deadline.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> InvokeAsync<T>(
        Func<CallOptions, AsyncUnaryCall<T>> call, ServerNode target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        try
        {
            using var pending = call(options);
            return await pending.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The request was cancelled.", e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw RpcErrors.FromRpcException(e, target.ToString());
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
        {
            throw new FlussException(FlussErrorCode.Network, $"Cannot reach the Fluss server at {target}: {e.Message}", e);
        }
    }

    /// <summary>True when the request could not even be sent (the connection was refused or not established).</summary>
    public static bool IsConnectFailure(FlussException error)
    {
        if (error.ErrorCode != FlussErrorCode.Network) return false;
        for (Exception? e = error.InnerException; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RpcException rpc when rpc.Status.DebugException is { } debug:
                    if (IsConnectFailure(debug)) return true;
                    break;
                default:
                    if (IsConnectFailure(e)) return true;
                    break;
            }
        }
        return false;
    }

    /// <summary>The typed error of a per-bucket error code in a response, or null when it has none.</summary>
    public static FlussException? BucketError(bool hasCode, int code, bool hasMessage, string message)
    {
        if (!hasCode || code == 0) return null;
        var error = FlussErrors.FromCode(code);
        return FlussException.Create(error, hasMessage && message.Length > 0 ? message : FlussErrors.DefaultMessage(error));
    }

    /// <summary>Errors after which the client's view of leaders or servers may be stale.</summary>
    public static bool InvalidatesMetadata(FlussErrorCode code) => code is FlussErrorCode.NotLeaderOrFollower
        or FlussErrorCode.UnknownTableOrBucket or FlussErrorCode.LeaderNotAvailable or FlussErrorCode.Network
        or FlussErrorCode.RequestTimeOut or FlussErrorCode.FencedLeaderEpoch;

    private static bool IsConnectFailure(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound } => true,
        _ => e.InnerException is { } inner && IsConnectFailure(inner),
    };
}
