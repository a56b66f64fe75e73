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
	 */
	VIRTUAL,

	/**
	 * Virtual threads where the JVM has them, platform threads otherwise.
	 */
	AUTO

}
