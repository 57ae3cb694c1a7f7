package dev.pmtud.app.cli;

import dev.pmtud.app.Main;
import dev.pmtud.app.StartupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pmtud keygen [--output FILE]}: a new relay key, {@value #KEY_BYTES} bytes from
 * {@link SecureRandom} in standard base64 on one line. With {@code --output} it goes into a new
 * file, mode 0600, never over an existing one. (Key files are read by the relay's components.)
 */
@Command(name = "keygen", description = "Print a new relay key (32 random bytes, base64, one line);"
        + " --output writes it to a new file with mode 0600 instead.")
final class KeygenCommand implements Callable<Integer> {
    static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final System.Logger LOG = System.getLogger("dev.pmtud.app.Keygen");

    @ParentCommand
    PmtudCommand top;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the key to this new file (mode 0600); refused when it exists.")
    Path output;

    @Override
    public Integer call() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        String line = Base64.getEncoder().encodeToString(key);
        if (output == null) {
            top.cli().out().println(line);
            return Main.OK;
        }
        write(output, line + "\n");
        LOG.log(System.Logger.Level.INFO, "wrote a new relay key to " + output + " (mode 0600)");
        return Main.OK;
    }

    /** Creates {@code file} readable by its owner only (never wider, even for a moment) and writes {@code text}. */
    private static void write(Path file, String text) {
        try (SeekableByteChannel ch = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            // The umask may only have taken bits away; make it exactly 0600.
            Files.setPosixFilePermissions(file, OWNER_ONLY);
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        } catch (FileAlreadyExistsException e) {
            throw new StartupException(file + " exists; keygen never overwrites a key: choose another --output,"
                    + " or remove the file first if it is no longer used");
        } catch (NoSuchFileException e) {
            throw new StartupException("cannot create " + file + ": its directory does not exist; create it first");
        } catch (IOException | UnsupportedOperationException e) {
            throw new StartupException("cannot write " + file + ": " + e.getMessage()
                    + "; check the directory's permissions (the file must be on a POSIX file system)", e);
        }
    }
}
