package dev.corral.jetty;

import dev.corral.testing.CorralLowFileLimitTest;

/** Embedded Jetty 12 in a child JVM under a low file descriptor limit. */
class JettyLowFileLimitTest extends CorralLowFileLimitTest {
    @Override
    protected String fixtureClass() {
        return JettyFixture.class.getName();
    }
}
