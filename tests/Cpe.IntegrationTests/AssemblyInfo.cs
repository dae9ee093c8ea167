// Each test starts its own cped; two at a time suits a 2-core machine.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
