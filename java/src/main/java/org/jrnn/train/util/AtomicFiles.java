// Crash-safe file replacement: write a temp file in the same folder, fsync it, rename it over the target.
package org.jrnn.train.util;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers (and a later run after a crash or power loss) see either the complete old
 * content or the complete new content, never a mix or a truncated file.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code target} through {@code writer}: the bytes go to a temporary file next to it
     * ({@code .<name>.<random>.tmp}), which is flushed and fsynced, then renamed over {@code target} in one
     * atomic step, and the folder is fsynced. If {@code writer} throws, the temporary file is deleted and
     * {@code target} is left as it was. The stream given to {@code writer} may be closed by it or not.
     *
     * @throws IOException what {@code writer} threw, or a failure to write, sync or rename
     */
    public static void write(Path target, IOConsumer<? super OutputStream> writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean done = false;
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            BufferedOutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            writer.accept(new FilterOutputStream(buffered) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    out.flush(); // keep the channel open: it is synced and closed below
                }
            });
            buffered.flush();
            channel.force(true);
            channel.close();
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically on this file system", e);
            }
            done = true;
        } finally {
            if (!done) {
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        syncDirectory(dir);
    }

    /** Atomically replaces {@code target} with {@code bytes} (see {@link #write(Path, IOConsumer)}). */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with {@code text} in UTF-8 (see {@link #write(Path, IOConsumer)}). */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes the rename durable; best effort (not every platform can open a folder for syncing). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // e.g. Windows: the rename itself is still atomic
        }
    }
}
