using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project benchmarks/CallStream.Benchmarks -- --filter '*'
// One class: ... -- --filter '*JsonBenchmarks*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
