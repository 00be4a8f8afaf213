package io.pbx3sbc.routingdb.bench;

import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.RoutingDbValidator;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark, not a test: build and validate a routing.db of N domains and M destinations, several
 * times after a warm-up, and print min/median/max. Run through hack/bench/routing-db-bench.sh.
 * Arguments: domains destinations sets runs.
 */
public final class RoutingDbBench {
    public static void main(String[] args) throws Exception {
        int domains = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int destinations = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int sets = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        RoutingModel model = Fixtures.large(domains, destinations, sets);
        Path dir = Files.createTempDirectory("routing-db-bench");
        RoutingDbBuilder builder = new RoutingDbBuilder();
        RoutingDbValidator validator = new RoutingDbValidator();

        List<Double> build = new ArrayList<>();
        List<Double> validate = new ArrayList<>();
        List<Double> total = new ArrayList<>();
        for (int i = -2; i < runs; i++) { // two warm-up rounds for the JIT
            Path file = dir.resolve("routing-" + i + ".db");
            long t0 = System.nanoTime();
            var built = builder.build(model, Fixtures.version(1), file);
            long t1 = System.nanoTime();
            var db = validator.validate(file);
            long t2 = System.nanoTime();
            if (!db.contentSha256().equals(built.contentSha256())) {
                throw new IllegalStateException("hash mismatch");
            }
            if (i >= 0) {
                build.add((t1 - t0) / 1e9);
                validate.add((t2 - t1) / 1e9);
                total.add((t2 - t0) / 1e9);
            }
            if (i == runs - 1) {
                System.out.printf("file: %d domains, %d destinations, %d sets, %.1f MiB%n", built.domains(),
                        built.destinations(), built.sets(), Files.size(file) / 1048576.0);
            }
            Files.delete(file);
        }
        System.out.printf("runs: %d (after 2 warm-up)%n", runs);
        print("build", build);
        print("validate", validate);
        print("build+validate", total);
    }

    private static void print(String what, List<Double> seconds) {
        List<Double> s = seconds.stream().sorted().toList();
        System.out.printf("%-15s min %.3f s  median %.3f s  max %.3f s%n", what, s.get(0), s.get(s.size() / 2), s.get(s.size() - 1));
    }
}
