package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.model.RoutingModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Builds a fleet's version files, each from the one before when it can: the last file built and the model
 * it holds are kept, so a change to a few domains patches a copy of it ({@link RoutingDbBuilder#buildFrom})
 * instead of writing 100,000 rows. Every file is still a complete snapshot. One per fleet, in its work
 * directory; an operator restart starts with a full build.
 */
public final class VersionFiles {
    private final RoutingDbBuilder builder = new RoutingDbBuilder();
    private final Path workDir;
    private final String fleet;
    private Path last;
    private RoutingModel lastModel;

    public VersionFiles(Path workDir, String fleet) {
        this.workDir = workDir;
        this.fleet = fleet;
    }

    public RoutingDbBuilder.Built build(RoutingModel model, VersionInfo info, Path target) throws IOException {
        return lastModel == null ? builder.build(model, info, target) : builder.buildFrom(last, lastModel, model, info, target);
    }

    /** The file built from {@code model} becomes the base of the next build (moved, not copied). */
    public void keep(Path built, RoutingModel model) throws IOException {
        if (last == null) { // a name of its own: two fleets (or publishers) never patch each other's file
            last = Files.createTempFile(workDir, fleet + "-", ".last.db");
        }
        lastModel = null; // until the move is done, the file is not known to hold the model
        Files.move(built, last, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        lastModel = model;
    }

    /** Forgets the base (the fleet is gone). */
    public void forget() throws IOException {
        lastModel = null;
        if (last != null) {
            Files.deleteIfExists(last);
        }
    }
}
