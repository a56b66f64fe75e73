package io.asyncsql;

/**
 * Kind of thread that runs the blocking JDBC work of an {@link AsyncEngine}.
 *
 * @since 0.1.0
 */
public enum ThreadMode {

	/**
	 * A fixed pool of {@code maxConcurrency} platform threads.
	 */
	PLATFORM,

	/**
	 * A virtual thread per operation (Java 21+), still bounded by the engine's permits.
	 * Suited to network databases, where JDBC calls wait on I/O and free their carrier
	 * thread. An in-process database (H2, HSQLDB, Derby) computes on the calling thread:
	 * as many long queries as there are carrier threads (one per core by default) hold
	 * every carrier and stall all other virtual threads, so prefer {@link #PLATFORM}
	 * there.
	 */
	VIRTUAL,

	/**
	 * Virtual threads wherever the JVM has them (Java 21+), platform threads otherwise.
	 * The default of {@link AsyncEngineBuilder}. The Spring Boot starter passes it on
	 * only when asked: left unset, {@code async-sql.executor.thread-mode} follows
	 * {@code spring.threads.virtual.enabled} as Boot's own executors do, choosing this
	 * mode when it is true and {@link #PLATFORM} otherwise.
	 */
	AUTO

}
