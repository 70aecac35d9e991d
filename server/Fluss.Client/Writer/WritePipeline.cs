using System.Runtime.ExceptionServices;
using Fluss.Client.Internal;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Client.Writer;

/// <summary>
/// A writer's accumulator and its send loop, with what append and upsert writers do alike: flush, and close
/// (deliver what is buffered within the delivery timeout, then fail the rest).
/// </summary>
internal sealed class WritePipeline : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly TablePath _path;
    private readonly RecordAccumulator _accumulator;
    private readonly Sender _sender;

    public WritePipeline(ClientContext context, TableInfo table, RecordAccumulator accumulator, WriteRpc rpc)
    {
        _context = context;
        _path = table.TablePath;
        _accumulator = accumulator;
        _sender = new Sender(context, table, accumulator, rpc);
        _sender.Start();
    }

    /// <summary>Sends everything buffered and waits until it is acknowledged.</summary>
    /// <exception cref="FlussException">The first failure of a batch since the last flush (the records' own tasks fault too).</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        _accumulator.BeginFlush();
        try
        {
            var pending = _accumulator.Incomplete().Select(b => b.Completion).ToArray();
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _accumulator.EndFlush();
        }
        if (_accumulator.TakeFailure() is { } failure) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Stops accepting records, delivers what is buffered (at most the delivery timeout), fails the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        _accumulator.Close();
        if (!await _sender.WaitForDrainAsync(_context.Options.WriterDeliveryTimeout).ConfigureAwait(false))
            _accumulator.AbortAll(new FlussException(FlussErrorCode.Network, $"The writer for {_path} was closed before all rows were acknowledged."));
        await _sender.DisposeAsync().ConfigureAwait(false);
        _accumulator.Dispose();
    }
}
