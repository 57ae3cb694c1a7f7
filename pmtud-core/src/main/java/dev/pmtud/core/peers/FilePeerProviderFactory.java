package dev.pmtud.core.peers;

import dev.pmtud.api.ComponentConfig;
import dev.pmtud.api.PeerProvider;
import dev.pmtud.api.PeerProviderFactory;
import dev.pmtud.api.PipelineContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** {@code { type: file, path: /etc/pmtud/peers, reload: 5s }}: one address per line, {@code #} comments. */
public final class FilePeerProviderFactory implements PeerProviderFactory {

    @Override
    public String type() {
        return "file";
    }

    @Override
    public String description() {
        return "peer addresses from a file, one per line with # comments, re-read when it changes";
    }

    @Override
    public Set<String> keys() {
        return Set.of("path", "reload");
    }

    @Override
    public PeerProvider create(ComponentConfig config, PipelineContext context) {
        String path = config.string("path");
        if (path.isBlank()) {
            throw config.error("path", "is empty; give the file that lists the peers, like /etc/pmtud/peers");
        }
        Duration reload = config.duration("reload", Duration.ofSeconds(5));
        if (reload.compareTo(Duration.ofMillis(50)) < 0) {
            throw config.error("reload", "is " + reload.toMillis() + "ms; it must be at least 50ms");
        }
        return new FilePeerProvider(Path.of(path), reload, context.logger());
    }
}
