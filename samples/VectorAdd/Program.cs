using Hilo.Samples.VectorAdd;

// Usage: dotnet run --project samples/VectorAdd [-- DEVICE]   (DEVICE: cpu, opencl:0, cuda:0, ...)
return VectorAddProgram.Run(args, Console.Out, Console.Error);
