using System.Globalization;
using Fluss.Config;
using Fluss.Errors;
using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Hangfire.Storage;

namespace Fluss.Tiering.Internal;

/// <summary>Hangfire storage, queues, schedules and filters of the tiering service.</summary>
internal static class HangfireSetup
{
    /// <summary>The queue of table rounds (one job per claimed table).</summary>
    public const string RoundQueue = "fluss_tiering";

    /// <summary>The queue of the recurring poll, served by its own one-worker server so rounds never delay it.</summary>
    public const string PollQueue = "fluss_tiering_poll";

    /// <summary>The recurring job that asks the coordinator for tables; one id shared by all tiering processes.</summary>
    public const string PollJobId = "fluss-tiering-poll";

    /// <summary>How long finished jobs stay visible in the storage (and the dashboard).</summary>
    public static readonly TimeSpan FinishedJobRetention = TimeSpan.FromMinutes(30);

    public static JobStorage CreateStorage(TieringServiceOptions options) => options.JobStorage switch
    {
        TieringJobStorage.PostgreSql => CreatePostgreSql(options),
        _ => new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = FinishedJobRetention }),
    };

    private static PostgreSqlStorage CreatePostgreSql(TieringServiceOptions options)
    {
        var pg = new PostgreSqlStorageOptions
        {
            SchemaName = options.PostgreSqlSchema,
            PrepareSchemaIfNecessary = true,
            // Hangfire.PostgreSql polls its queues; the default (15 s) would delay every round by seconds.
            QueuePollInterval = TimeSpan.FromMilliseconds(250),
            // A job of a killed process becomes visible again after this; its tiering epoch is stale by then, so it
            // is fenced at its first heartbeat and ends at once.
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            UseSlidingInvisibilityTimeout = true,
            DistributedLockTimeout = TimeSpan.FromSeconds(30),
        };
        try
        {
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.PostgreSqlConnectionString!, pg), pg);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Data.Common.DbException)
        {
            throw new InvalidConfigException($"Cannot use the Hangfire PostgreSQL storage ('{TieringOptions.PostgreSqlConnectionString.Key}'): {e.Message}");
        }
    }

    /// <summary>The 6-field cron (with seconds) that fires every <paramref name="interval"/>.</summary>
    /// <exception cref="InvalidConfigException">The interval cannot be expressed as such a schedule.</exception>
    public static string CronOf(TimeSpan interval)
    {
        var seconds = interval.TotalSeconds;
        if (seconds >= 1 && seconds == Math.Floor(seconds))
        {
            var s = (int)seconds;
            if (s < 60 && 60 % s == 0) return s == 1 ? "* * * * * *" : string.Create(CultureInfo.InvariantCulture, $"*/{s} * * * * *");
            if (s % 60 == 0)
            {
                var m = s / 60;
                if (m < 60 && 60 % m == 0) return m == 1 ? "0 * * * * *" : string.Create(CultureInfo.InvariantCulture, $"0 */{m} * * * *");
                if (m == 60) return "0 0 * * * *";
            }
        }
        throw new InvalidConfigException(
            $"'{TieringOptions.PollTableInterval.Key}' is {FlussDuration.Format(interval)}; it must be whole seconds dividing a minute (1 s, 2 s, 5 s, 10 s, 30 s ...), whole minutes dividing an hour, or 1 hour.");
    }

    public static BackgroundJobServerOptions RoundServer(string name, int workers, JobActivator activator) => new()
    {
        ServerName = name,
        WorkerCount = workers,
        Queues = [RoundQueue],
        Activator = activator,
        // Rounds only: the schedulers and storage maintenance run in the poll server.
        IsLightweightServer = true,
        SchedulePollingInterval = TimeSpan.FromSeconds(1),
        ServerTimeout = TimeSpan.FromMinutes(1),
        ServerCheckInterval = TimeSpan.FromSeconds(30),
        ShutdownTimeout = TimeSpan.FromSeconds(30),
    };

    public static BackgroundJobServerOptions PollServer(string name, JobActivator activator) => new()
    {
        ServerName = name,
        WorkerCount = 1,
        Queues = [PollQueue],
        Activator = activator,
        // Hangfire's default (15 s) would fire a seconds cron at most every 15 s.
        SchedulePollingInterval = TimeSpan.FromSeconds(1),
        ServerTimeout = TimeSpan.FromMinutes(1),
        ServerCheckInterval = TimeSpan.FromSeconds(30),
        ShutdownTimeout = TimeSpan.FromSeconds(10),
    };

    public static void SchedulePoll(JobStorage storage, TimeSpan interval)
    {
        var job = Job.FromExpression<TieringJobs>(j => j.PollAsync(CancellationToken.None), PollQueue);
        new RecurringJobManager(storage).AddOrUpdate(PollJobId, job, CronOf(interval), new RecurringJobOptions { MisfireHandling = MisfireHandlingMode.Relaxed });
    }

    public static string EnqueueRound(JobStorage storage, TieringAssignment table)
    {
        var job = Job.FromExpression<TieringJobs>(
            j => j.TierTableAsync(table.TableId, table.Path.DatabaseName, table.Path.TableName, table.TieringEpoch, table.CoordinatorEpoch, CancellationToken.None), RoundQueue);
        return new BackgroundJobClient(storage).Create(job, new EnqueuedState(RoundQueue));
    }

    /// <summary>
    /// Round workers of all servers on the storage minus rounds queued or running: how many more tables the
    /// tiering processes sharing this storage can start now.
    /// </summary>
    public static int FreeRoundWorkers(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var workers = monitoring.Servers().Where(s => s.Queues.Contains(RoundQueue)).Sum(s => s.WorkersCount);
        var queued = monitoring.EnqueuedCount(RoundQueue);
        var running = monitoring.ProcessingJobs(0, 10_000).Count(j => j.Value?.Job?.Method.Name == nameof(TieringJobs.TierTableAsync));
        return (int)Math.Max(0, workers - queued - running);
    }
}

/// <summary>Hands Hangfire the job object of this service's servers, so jobs reach the in-process service.</summary>
internal sealed class TieringJobActivator(TieringJobs jobs) : JobActivator
{
    public override object ActivateJob(Type jobType) => jobType == typeof(TieringJobs) ? jobs : base.ActivateJob(jobType);
}

/// <summary>Finished tiering jobs expire after <see cref="HangfireSetup.FinishedJobRetention"/> instead of Hangfire's day.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class ShortRetentionAttribute : JobFilterAttribute, IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction) => context.JobExpirationTimeout = HangfireSetup.FinishedJobRetention;

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
