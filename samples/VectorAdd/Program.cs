Console.WriteLine("sample: being written");
