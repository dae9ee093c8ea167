// cpe: the technician's CLI. All logic lives in Cpe.Cli; exit codes in docs/guides/cli.md.
return await Cpe.Cli.CliProgram.RunAsync(args);
