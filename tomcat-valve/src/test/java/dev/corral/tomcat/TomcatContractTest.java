package dev.corral.tomcat;

import dev.corral.testing.ContainerFixture;
import dev.corral.testing.contract.AppOutputContract;
import dev.corral.testing.contract.FaultContract;
import dev.corral.testing.contract.ManagementContract;
import dev.corral.testing.contract.FixtureFactory;
import dev.corral.testing.contract.ForwardingSafetyContract;
import dev.corral.testing.contract.HealthContract;
import dev.corral.testing.contract.QueueContract;
import dev.corral.testing.contract.RecyclingContract;
import dev.corral.testing.contract.RestartContract;
import dev.corral.testing.contract.RoutingContract;
import dev.corral.testing.contract.StaticFilesContract;
import dev.corral.testing.contract.SpawnFailureContract;
import dev.corral.testing.contract.StatusContract;
import dev.corral.testing.contract.StreamingContract;
import dev.corral.testing.contract.SlowClientContract;
import dev.corral.testing.contract.TracingContract;
import dev.corral.testing.contract.ErrorPagesContract;
import dev.corral.testing.contract.TimeoutsContract;
import dev.corral.testing.contract.UpgradeContract;

import org.junit.jupiter.api.Nested;

/**
 * The Corral contract, on embedded Tomcat 11 with the valves on the Host and an empty ROOT context (async
 * mode): every contract class, one nested class each.
 */
class TomcatContractTest {

    /** A fresh embedded Tomcat for each test. */
    interface OnTomcat extends FixtureFactory {
        @Override
        default ContainerFixture newFixture() {
            return new TomcatFixture();
        }
    }

    @Nested
    class Routing extends RoutingContract implements OnTomcat {
    }

    @Nested
    class StaticFiles extends StaticFilesContract implements OnTomcat {
    }

    @Nested
    class Queue extends QueueContract implements OnTomcat {
    }

    @Nested
    class Streaming extends StreamingContract implements OnTomcat {
    }

    @Nested
    class Recycling extends RecyclingContract implements OnTomcat {
    }

    @Nested
    class Health extends HealthContract implements OnTomcat {
    }

    @Nested
    class Restart extends RestartContract implements OnTomcat {
    }

    @Nested
    class SpawnFailure extends SpawnFailureContract implements OnTomcat {
    }

    @Nested
    class Faults extends FaultContract implements OnTomcat {
    }

    @Nested
    class Management extends ManagementContract implements OnTomcat {
    }

    @Nested
    class Status extends StatusContract implements OnTomcat {
    }

    @Nested
    class AppOutput extends AppOutputContract implements OnTomcat {
    }

    @Nested
    class ForwardingSafety extends ForwardingSafetyContract implements OnTomcat {
    }

    @Nested
    class Tracing extends TracingContract implements OnTomcat {
    }

    @Nested
    class SlowClients extends SlowClientContract implements OnTomcat {
    }

    @Nested
    class Upgrade extends UpgradeContract implements OnTomcat {
    }

    @Nested
    class Timeouts extends TimeoutsContract implements OnTomcat {
    }

    @Nested
    class ErrorPages extends ErrorPagesContract implements OnTomcat {
    }
}
