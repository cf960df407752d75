package dev.dialtone.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import dev.dialtone.Secret;

/**
 * The admin token the server makes for itself when {@code DIALTONE_ADMIN_TOKEN} is not set: 32
 * random bytes (base64url, 43 characters) in {@code admin-token} in the data folder, readable and
 * writable by its owner only (0600 where the file system has POSIX modes), made at the first start
 * and reused at every later one, so a bookmarked console address keeps working. Deleting the file
 * makes a new token at the next start.
 */
public final class TokenFile {
    public static final String NAME = "admin-token";

    private static final System.Logger LOG = System.getLogger(TokenFile.class.getName());
    private static final int RANDOM_BYTES = 32;
    /** A token written into the file by hand must be at least this long. */
    private static final int MIN_LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFile() {
    }

    /** The token file in {@code folder}. */
    public static Path in(Path folder) {
        return folder.resolve(NAME);
    }

    /** The token in {@code folder}'s file, made there first (with the folder) if there is none. */
    public static Secret loadOrCreate(Path folder) {
        var file = in(folder);
        try {
            Files.createDirectories(folder);
            if (Files.isSymbolicLink(file)) {
                throw new IOException("it is a symbolic link; the token file must be a plain file");
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                create(folder, file);
            }
            return read(folder, file);
        } catch (IOException e) {
            throw new UncheckedIOException("admin token file " + file + ": " + e.getMessage()
                                           + " (or set DIALTONE_ADMIN_TOKEN)", e);
        }
    }

    /**
     * Writes a fresh token into a private temporary file beside it, then links that into place:
     * the file appears whole or not at all, and when another server made it first (the link
     * exists), that one's token is used.
     */
    private static void create(Path folder, Path file) throws IOException {
        var temp = Files.createTempFile(folder, "." + NAME + "-", ".tmp", ownerOnly(folder));
        try {
            Files.write(temp, (generate() + "\n").getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            link(temp, file);
            LOG.log(System.Logger.Level.INFO, "Made an admin token in {0} (readable by its owner only)", file);
        } catch (FileAlreadyExistsException e) {
            // made by another server at the same moment: its token is read
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A hard link, which fails when the file exists; without hard links, a rename (also whole). */
    private static void link(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(temp, file);
        }
    }

    private static Secret read(Path folder, Path file) throws IOException {
        if (isPosix(folder)) {
            var mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (!OWNER_ONLY.containsAll(mode)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                LOG.log(System.Logger.Level.WARNING, "{0} was open to others ({1}); it is now owner-only (0600)",
                        file, PosixFilePermissions.toString(mode));
            }
        }
        var token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.length() < MIN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IOException("it must hold one token of at least " + MIN_LENGTH
                                  + " printable characters; delete it to make a new one at the next start");
        }
        return new Secret(token);
    }

    /** 32 bytes from {@link SecureRandom} as base64url without padding: safe in a URL as it is. */
    static String generate() {
        var bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static FileAttribute<?>[] ownerOnly(Path folder) {
        return isPosix(folder) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix(Path folder) {
        return folder.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
