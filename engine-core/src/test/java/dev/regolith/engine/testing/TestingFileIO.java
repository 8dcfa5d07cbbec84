package dev.regolith.engine.testing;

import dev.regolith.engine.io.ForwardingFileIO;
import dev.regolith.engine.io.LocalFileIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/** A {@link LocalFileIO} into which tests inject faults and interleavings. */
public final class TestingFileIO extends ForwardingFileIO {

    public TestingFileIO() {
        super(new LocalFileIO());
    }


    /** What a fault does to the write it hits. */
    public enum WriteFault {
        /** Fails before anything is published. */
        FAIL_BEFORE_PUBLISH,
        /** Publishes the file, then fails as if the directory sync had failed. */
        FAIL_AFTER_PUBLISH
    }

    private record Fault(Predicate<Path> target, WriteFault fault) {
    }

    private record ReadHook(Predicate<Path> target, Runnable action) {
    }

    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ReadHook> readHooks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Predicate<Path>> createFaults = new ConcurrentLinkedQueue<>();

    /** The next {@link #create} of a file matching {@code target} writes nothing and fails its sync; once. */
    public void failNextCreate(Predicate<Path> target) {
        createFaults.add(target);
    }

    /** The next write of a file matching {@code target} fails as {@code fault}; once. */
    public void failNextWrite(Predicate<Path> target, WriteFault fault) {
        faults.add(new Fault(target, fault));
    }

    /** Runs {@code action} before the next read of a file matching {@code target}; once. */
    public void beforeNextRead(Predicate<Path> target, Runnable action) {
        readHooks.add(new ReadHook(target, action));
    }

    public static Predicate<Path> named(String suffix) {
        return path -> path.getFileName().toString().endsWith(suffix);
    }


    @Override
    public void writeAtomically(Path file, byte[] content) throws IOException {
        for (Fault fault : faults) {
            if (fault.target.test(file) && faults.remove(fault)) {
                if (fault.fault == WriteFault.FAIL_BEFORE_PUBLISH) {
                    throw new IOException("injected failure writing " + file);
                }
                delegate().writeAtomically(file, content);
                throw new dev.regolith.engine.io.PublishStateUnknownException(file, new IOException("injected directory sync failure"));
            }
        }
        delegate().writeAtomically(file, content);
    }

    @Override
    public byte[] readAllBytes(Path file) throws IOException {
        for (ReadHook hook : readHooks) {
            if (hook.target.test(file) && readHooks.remove(hook)) {
                hook.action.run();
            }
        }
        return delegate().readAllBytes(file);
    }




    @Override
    public dev.regolith.engine.io.SyncableOutput create(Path file) throws IOException {
        dev.regolith.engine.io.SyncableOutput output = delegate().create(file);
        for (Predicate<Path> fault : createFaults) {
            if (fault.test(file) && createFaults.remove(fault)) {
                return new dev.regolith.engine.io.SyncableOutput() {
                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        output.write(bytes, offset, length);
                    }

                    @Override
                    public long position() {
                        return output.position();
                    }

                    @Override
                    public void sync() throws IOException {
                        throw new IOException("injected fsync failure on " + file);
                    }

                    @Override
                    public void close() throws IOException {
                        output.close();
                    }
                };
            }
        }
        return output;
    }





}
