Console.WriteLine("hilo: being written");
