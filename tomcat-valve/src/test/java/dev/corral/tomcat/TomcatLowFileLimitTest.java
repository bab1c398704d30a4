package dev.corral.tomcat;

import dev.corral.testing.CorralLowFileLimitTest;

/** Embedded Tomcat 11 in a child JVM under a low file descriptor limit. */
class TomcatLowFileLimitTest extends CorralLowFileLimitTest {
    @Override
    protected String fixtureClass() {
        return TomcatFixture.class.getName();
    }
}
