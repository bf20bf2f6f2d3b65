// Fixtures run in parallel with each other; the tests inside one fixture run one after another (they may share
// the fixture's instance state). What makes that safe, and what has to stay out of it:
// - every fixture writes under a directory or file name of its own below TestContext.WorkDirectory, or a fresh
//   Directory.CreateTempSubdirectory; the CLI runs in-process on its own writers (CliRunner), never on Console;
// - the library keeps no mutable static state (its caches are Lazy or per file), and `check --jobs` already runs it
//   on several threads;
// - [NonParallelizable]: fixtures that change the process-wide current directory (GoldenLinkTests.RunCliIn), a test
//   that looks for any temporary directory of this process, and the Real/RealKernel/KernelSource tests, which
//   stay one at a time as they always ran (gigabyte inputs, shared caches, a booted kernel).
[assembly: Parallelizable(ParallelScope.Fixtures)]
