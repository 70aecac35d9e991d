using Fluss.Metadata;
using Fluss.Tiering.Internal;

namespace Fluss.Tiering.Tests.Support;

/// <summary>Several fake table logs behind one log source.</summary>
internal sealed class FakeLogs : ITieringLogSource
{
    private readonly Dictionary<TablePath, FakeLog> _logs = [];

    public FakeLog Add(TableInfo info) => _logs[info.TablePath] = new FakeLog(info);

    public Task<ITieringTableLog> OpenTableAsync(TablePath path, long expectedTableId, CancellationToken cancellationToken) =>
        _logs[path].OpenTableAsync(path, expectedTableId, cancellationToken);
}
