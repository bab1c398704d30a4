package dev.corral.jmx;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a Corral MBean, attribute, operation or parameter means, as JMX clients (jconsole,
 * VisualVM, Jolokia) show it. On a parameter, {@link #name()} is the name they show instead of
 * {@code p0}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.PARAMETER})
public @interface Description {
    String value();

    /** A parameter's name. */
    String name() default "";
}
