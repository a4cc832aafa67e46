using Hilo.Samples.Classify;

// Usage: dotnet run -c Release --project samples/Classify -- DEVICE WEIGHTS.pth IMAGE|FOLDER|GLOB...
//        (WEIGHTS "-" runs random weights: the classes then mean nothing)
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Classify DEVICE WEIGHTS.pth|- IMAGE|FOLDER|GLOB...");
    return 2;
}
var results = ClassifyDemo.Run(args[0], "litv2-s", args[1] == "-" ? null : args[1], args[2..], Console.Out);
return results.All(r => r.Succeeded) ? 0 : 1;
