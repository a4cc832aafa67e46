using Hilo.Ilgpu.Cli;

return HiloCli.Run(args, Console.Out, Console.Error);
