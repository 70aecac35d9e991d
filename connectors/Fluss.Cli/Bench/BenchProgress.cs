using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Fluss.Cli.Bench;

/// <summary>One step of a scenario whose progress is shown (a bar on a terminal, a line per step otherwise).</summary>
internal interface IBenchStep : IDisposable
{
    /// <summary>Adds done work (thread-safe).</summary>
    void Advance(double amount);
}

/// <summary>Where scenarios report their steps.</summary>
internal interface IBenchProgress
{
    /// <summary>Starts a step of <paramref name="total"/> units of work.</summary>
    IBenchStep Step(string description, double total);
}

/// <summary>A line on the error stream when a step starts and when it ends (no terminal, or redirected).</summary>
internal sealed class LineProgress(TextWriter log) : IBenchProgress
{
    private readonly Lock _lock = new();

    public IBenchStep Step(string description, double total)
    {
        lock (_lock) log.WriteLine($"bench: {description}...");
        return new LineStep(this, description);
    }

    private void Done(string description, TimeSpan elapsed, GcSnapshot gc)
    {
        lock (_lock) log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: {description}: done in {elapsed.TotalSeconds:F2} s; {GcSnapshot.Take().Since(gc)}"));
    }

    private sealed class LineStep(LineProgress owner, string description) : IBenchStep
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly GcSnapshot _gc = GcSnapshot.Take();
        private int _disposed;

        public void Advance(double amount)
        {
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Done(description, Stopwatch.GetElapsedTime(_started), _gc);
        }
    }
}

/// <summary>Spectre.Console progress bars on the terminal's error stream.</summary>
internal sealed class BarProgress(ProgressContext context) : IBenchProgress
{
    public IBenchStep Step(string description, double total)
    {
        var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
        return new BarStep(task);
    }

    private sealed class BarStep(ProgressTask task) : IBenchStep
    {
        public void Advance(double amount) => task.Increment(amount);

        public void Dispose()
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
