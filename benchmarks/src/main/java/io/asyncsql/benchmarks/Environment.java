package io.asyncsql.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * Where and how a run happened, printed at the head of the results so that figures are
 * never read without their machine.
 *
 * @param started when the run started, UTC
 * @param machine cores, memory, CPU model and operating system
 * @param jdk the running JVM's version and vendor
 * @param postgres what {@code SELECT version()} returned
 * @param command the command line of this JVM
 */
record Environment(String started, String machine, String jdk, String postgres, String command) {

	static Environment capture(String postgresVersion) {
		Runtime runtime = Runtime.getRuntime();
		long memory = Jvm.totalMemoryBytes();
		String machine = runtime.availableProcessors() + " cores, " + Math.round(memory / (1024.0 * 1024 * 1024))
				+ " GiB memory, " + cpuModel() + ", " + System.getProperty("os.name") + " "
				+ System.getProperty("os.version") + " " + System.getProperty("os.arch");
		String jdk = "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
				+ System.getProperty("java.vm.name") + ")";
		String command = ProcessHandle.current()
			.info()
			.commandLine()
			.orElse("java -jar async-sql-benchmarks.jar (command line not available)");
		String started = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
		return new Environment(started, machine, jdk, postgresVersion, command);
	}

	private static String cpuModel() {
		try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
			return lines.filter((line) -> line.startsWith("model name"))
				.map((line) -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse("unknown CPU");
		}
		catch (IOException | RuntimeException ex) {
			return "unknown CPU";
		}
	}

}
