package dev.regolith.engine.hook;

import dev.regolith.hooks.spi.RegionHook;

/** Registered in the test class path's META-INF/services, to prove class-path discovery. */
public class TestingClassPathHook implements RegionHook {

    @Override
    public String name() {
        return "testing-classpath";
    }
}
