using Fluss.Tiering.Host;

return await TieringHost.RunAsync(args).ConfigureAwait(false);
