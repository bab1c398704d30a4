package dev.corral.testing.contract;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The apps' output in the container's log: each line under the logger {@code dev.corral.app},
 * prefixed with the app's name and pid, stdout at INFO and stderr at WARNING; the loaders write
 * their informational lines to stdout and their errors to stderr.
 */
public abstract class AppOutputContract extends ContractSupport {
    private static final String LOGGER = "dev.corral.app: ";

    @Test
    void stdoutIsLoggedAtInfoAndStderrAtWarningWithAppAndPid() throws Exception {
        start(wsgi("talker"));
        HttpResponse<String> response = get("/output?token=t1");
        assertEquals(200, response.statusCode());
        String prefix = LOGGER + "[talker " + pid(response) + "] ";
        assertEquals(List.of("INFO " + prefix + "testapp: on stdout t1"), logs.awaitMatching(prefix + "testapp: on stdout t1"),
                logs.lines().toString());
        assertEquals(List.of("WARNING " + prefix + "testapp: on stderr t1"), logs.awaitMatching(prefix + "testapp: on stderr t1"),
                logs.lines().toString());
    }

    @Test
    void aCleanStartOfEitherLoaderLogsItsListeningLineAtInfoAndNothingAtWarning() throws Exception {
        start(wsgi("py").pathPrefix("/py"), node("js").pathPrefix("/js"));
        assertEquals(200, get("/py/hello").statusCode());
        assertEquals(200, get("/js/hello").statusCode());
        assertFalse(logs.awaitMatching("INFO " + LOGGER + "[py ", "] corral-wsgi: listening on ").isEmpty(), logs.lines().toString());
        assertFalse(logs.awaitMatching("INFO " + LOGGER + "[js ", "] corral-node: listening on ").isEmpty(), logs.lines().toString());
        assertEquals(List.of(), logs.matching("WARNING " + LOGGER), "nothing on the apps' stderr");
    }

    @Test
    void anAppThatFailsToImportHasItsErrorLoggedAtWarning() throws Exception {
        start(wsgi("broken").env("TESTAPP_FAIL_IMPORT=1"));
        assertEquals(503, get("/hello").statusCode());
        String cannotLoad = "] corral-wsgi: cannot load app:application: RuntimeError: TESTAPP_FAIL_IMPORT is set";
        assertFalse(logs.awaitMatching("WARNING " + LOGGER + "[broken ", cannotLoad).isEmpty(), logs.lines().toString());
        assertFalse(logs.matching("WARNING " + LOGGER + "[broken ", "] Traceback (most recent call last):").isEmpty(),
                logs.lines().toString());
        assertEquals(List.of(), logs.matching("INFO " + LOGGER + "[broken "), "nothing on the app's stdout");
    }
}
