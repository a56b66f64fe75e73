package io.asyncsql;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Micrometer is optional in core: an engine built without an ObservationRegistry runs
 * every kind of operation on a class path without Micrometer.
 */
class WithoutMicrometerTests {

	@Test
	void engineRunsEveryKindOfOperationWithoutMicrometerOnTheClassPath() throws Exception {
		ClassLoader loader = new WithoutMicrometer(getClass().getClassLoader());
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> loader.loadClass("io.micrometer.observation.ObservationRegistry"));
		Class<?> probe = loader.loadClass(Probe.class.getName());
		assertThat(probe.getClassLoader()).isSameAs(loader);
		Method run = probe.getDeclaredMethod("run");
		run.setAccessible(true);
		assertThat(run.invoke(null)).isEqualTo(List.of(2, 1, 1, 3));
		// The seam holds only because nothing above touched the observed classes.
		assertThatExceptionOfType(NoClassDefFoundError.class)
			.isThrownBy(() -> Class.forName("io.asyncsql.ObservedOperation", true, loader));
	}

	/**
	 * Runs a statement, a batch, a transaction, a connection and a stream; loaded by
	 * {@link WithoutMicrometer}, as are the engine's classes it uses.
	 */
	static final class Probe {

		static List<Integer> run() {
			JdbcDataSource dataSource = new JdbcDataSource();
			dataSource.setURL("jdbc:h2:mem:without-micrometer;DB_CLOSE_DELAY=-1");
			try (AsyncEngine engine = AsyncEngine.builder(dataSource).threadMode(ThreadMode.PLATFORM).build()) {
				AsyncJdbcTemplate template = new AsyncJdbcTemplate(engine);
				Futures.result(template.execute("CREATE TABLE numbers (n INT)"));
				int batch = Futures.result(template.batchUpdate("INSERT INTO numbers VALUES (?)",
						List.of(new Object[] { 1 }, new Object[] { 2 }))).length;
				int inTransaction = Futures
					.result(template.inTransaction((tx) -> tx.update("INSERT INTO numbers VALUES (3)")));
				AsyncConnection connection = Futures.result(engine.connect());
				int onConnection = Futures.result(connection.update("DELETE FROM numbers WHERE n = 3"));
				Futures.result(connection.close());
				CompletableFuture<Integer> streamed = new CompletableFuture<>();
				reactor.adapter.JdkFlowAdapter
					.flowPublisherToFlux(template.stream("SELECT n FROM numbers", (rs, i) -> rs.getInt(1)))
					.count()
					.subscribe((count) -> streamed.complete(count.intValue()), streamed::completeExceptionally);
				int rows = Futures.result(streamed)
						+ Futures.result(template.queryForObject("SELECT 1", Integer.class));
				return List.of(batch, inTransaction, onConnection, rows);
			}
		}

	}

	/**
	 * Loads async-sql's own classes itself, so that what they refer to is resolved here,
	 * and finds no Micrometer class; everything else comes from the parent.
	 */
	private static final class WithoutMicrometer extends ClassLoader {

		WithoutMicrometer(ClassLoader parent) {
			super(parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (name.startsWith("io.micrometer.")) {
				throw new ClassNotFoundException(name + " is hidden from this test");
			}
			if (!name.startsWith("io.asyncsql.")) {
				return super.loadClass(name, resolve);
			}
			synchronized (getClassLoadingLock(name)) {
				Class<?> loaded = findLoadedClass(name);
				if (loaded == null) {
					loaded = define(name);
				}
				if (resolve) {
					resolveClass(loaded);
				}
				return loaded;
			}
		}

		private Class<?> define(String name) throws ClassNotFoundException {
			try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
				if (in == null) {
					throw new ClassNotFoundException(name);
				}
				byte[] bytes = in.readAllBytes();
				return defineClass(name, bytes, 0, bytes.length);
			}
			catch (IOException ex) {
				throw new ClassNotFoundException(name, ex);
			}
		}

	}

}
