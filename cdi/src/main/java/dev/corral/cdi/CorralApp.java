package dev.corral.cdi;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the Corral app an injected {@link dev.corral.client.AppClient} calls:
 * {@code @Inject @CorralApp("renderer") AppClient renderer;}. The name is checked when the
 * webapp deploys: an app of that name must run in the container's Corral engine.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface CorralApp {

    /** The app's name, as configured in the container ({@code name} of its valve or properties). */
    @Nonbinding
    String value();

    /** The qualifier as a value, for programmatic lookup: {@code clients.select(CorralApp.Literal.of("x"))}. */
    final class Literal extends AnnotationLiteral<CorralApp> implements CorralApp {
        private static final long serialVersionUID = 1L;
        private final String value;

        private Literal(String value) {
            this.value = value;
        }

        public static Literal of(String value) {
            return new Literal(value);
        }

        @Override
        public String value() {
            return value;
        }
    }
}
