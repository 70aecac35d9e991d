namespace Fluss.Tiering.Internal;

/// <summary>
/// Crash points of a round for recovery tests. The environment variable <c>FLUSS_TIERING_TEST_PAUSE_AT</c> names a
/// point (<see cref="BeforeLakeCommit"/>: data files written, nothing committed; <see cref="BeforeCoordinatorCommit"/>:
/// lake snapshot committed, coordinator not told); a round reaching it prints <c>tiering paused at &lt;point&gt;</c>
/// and waits until it is cancelled, so a test can kill the process there. In-process tests pass a hook instead.
/// </summary>
internal static class FaultInjection
{
    public const string EnvironmentVariable = "FLUSS_TIERING_TEST_PAUSE_AT";
    public const string BeforeLakeCommit = "before-lake-commit";
    public const string BeforeCoordinatorCommit = "before-coordinator-commit";

    /// <summary>The hook of a service: the given one, else the environment variable's pause.</summary>
    public static Func<string, CancellationToken, Task> Hook(Func<string, CancellationToken, Task>? hook) => hook ?? PauseFromEnvironmentAsync;

    private static async Task PauseFromEnvironmentAsync(string point, CancellationToken cancellationToken)
    {
        var wanted = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(wanted) || !string.Equals(wanted.Trim(), point, StringComparison.Ordinal)) return;
        await Console.Out.WriteLineAsync($"tiering paused at {point}").ConfigureAwait(false);
        await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Thrown by a test hook to end a round as a crash would: no abort, no report.</summary>
internal sealed class SimulatedCrashException(string point) : Exception($"Simulated crash at {point}.")
{
    public string Point { get; } = point;
}
