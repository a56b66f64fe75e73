package io.asyncsql.benchmarks;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The reflective seam to Java 21's virtual threads: the module compiles for Java 17 like
 * the rest of the project, and the virtual contenders run where the JVM has them.
 */
final class VirtualThreadSupport {

	private VirtualThreadSupport() {
	}

	static boolean isAvailable() {
		return factoryMethod().isPresent();
	}

	/**
	 * Return {@code Executors.newVirtualThreadPerTaskExecutor()}, or empty before Java
	 * 21.
	 */
	static Optional<ExecutorService> newVirtualThreadPerTaskExecutor() {
		return factoryMethod().map((method) -> {
			try {
				return (ExecutorService) method.invoke(null);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("Could not create a virtual thread executor", ex);
			}
		});
	}

	private static Optional<Method> factoryMethod() {
		try {
			return Optional.of(Executors.class.getMethod("newVirtualThreadPerTaskExecutor"));
		}
		catch (NoSuchMethodException ex) {
			return Optional.empty();
		}
	}

}
