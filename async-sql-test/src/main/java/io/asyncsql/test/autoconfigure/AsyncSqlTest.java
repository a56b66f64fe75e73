package io.asyncsql.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.core.annotation.AliasFor;
import org.springframework.core.env.Environment;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * Annotation for a test of code that uses async-sql, in the manner of Spring Boot's
 * {@code @JdbcTest}: it starts only the {@link javax.sql.DataSource}, async-sql's
 * {@link io.asyncsql.AsyncEngine}, {@link io.asyncsql.AsyncJdbcTemplate},
 * {@link io.asyncsql.AsyncJdbcClient} and (where Reactor is present)
 * {@link io.asyncsql.reactor.ReactiveJdbcTemplate}, on an embedded database that replaces
 * any configured one (see {@link AutoConfigureTestDatabase @AutoConfigureTestDatabase}).
 * No {@code @Component} of the application is scanned; bring what the test needs with
 * {@code @Import} or {@link #includeFilters()}.
 * <p>
 * Each test's database work is rolled back when the test ends, whichever thread did it:
 * the test's own, the engine's, a lane's ({@link io.asyncsql.AsyncConnection}), a
 * transaction's ({@code inTransaction}) or a stream's. To make that possible, every
 * connection the application asks for during a test is the same connection, kept in one
 * transaction that is never committed: a commit inside the test ends a savepoint instead,
 * a rollback returns to it, so the test sees its own committed work and nothing outlives
 * it. The engine's concurrency is set to 1 for this, so operations run one after another.
 * When the test ends, the slice waits up to 10 seconds for the engine to finish what is
 * running and for every {@code AsyncConnection} to be closed, and fails the test if they
 * are not.
 * <p>
 * Limits: a test cannot use two connections at once (work that holds a lane open and
 * waits for other engine work, or a blocking call on the test's thread while a lane is
 * open, waits and then fails with a message saying so); the isolation level and read-only
 * flag a transaction asks for are not applied; on a server database
 * ({@code @AutoConfigureTestDatabase(replace = NONE)}) that aborts a transaction on the
 * first failed statement, such as PostgreSQL, a statement that fails outside
 * {@code inTransaction} spoils the rest of the test.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(AsyncSqlTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(AsyncSqlTypeExcludeFilter.class)
@AutoConfigureAsyncSql
@AutoConfigureTestDatabase
@ImportAutoConfiguration
public @interface AsyncSqlTest {

	/**
	 * Properties in form {@literal key=value} that should be added to the Spring
	 * {@link Environment} before the test runs.
	 * @return the properties to add
	 */
	String[] properties() default {};

	/**
	 * Whether default filtering should be used with
	 * {@link SpringBootApplication @SpringBootApplication}. By default no beans are
	 * included.
	 * @return whether default filters should be used
	 * @see #includeFilters()
	 * @see #excludeFilters()
	 */
	boolean useDefaultFilters() default true;

	/**
	 * Include filters that add otherwise filtered beans to the application context.
	 * @return include filters to apply
	 */
	ComponentScan.Filter[] includeFilters() default {};

	/**
	 * Exclude filters that remove beans that would otherwise be added to the application
	 * context.
	 * @return exclude filters to apply
	 */
	ComponentScan.Filter[] excludeFilters() default {};

	/**
	 * Auto-configuration exclusions that should be applied for this test.
	 * @return auto-configuration exclusions to apply
	 */
	@AliasFor(annotation = ImportAutoConfiguration.class, attribute = "exclude")
	Class<?>[] excludeAutoConfiguration() default {};

}
