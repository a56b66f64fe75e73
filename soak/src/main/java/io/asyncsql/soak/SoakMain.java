package io.asyncsql.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the chaos soak from the command line and prints each database's tables; exits with
 * status 1 when an invariant broke. Options: {@code --database postgresql|mariadb} (both
 * by default, one after the other), {@code --duration 30m}, {@code --callers 48},
 * {@code --fault-interval 10s}, {@code --out FILE} (the tables are appended to it too).
 */
public final class SoakMain {

	private SoakMain() {
	}

	/**
	 * Run the soak.
	 * @param args the options
	 * @throws Exception when a run cannot start
	 */
	public static void main(String[] args) throws Exception {
		List<SoakTarget> targets = new ArrayList<>(List.of(SoakTarget.values()));
		Duration duration = Duration.ofMinutes(2);
		int callers = 48;
		Duration faultInterval = Duration.ofSeconds(10);
		Path out = null;
		for (int i = 0; i < args.length; i++) {
			String value = (i + 1 < args.length) ? args[i + 1] : "";
			switch (args[i]) {
				case "--database" -> targets = List.of(SoakTarget.valueOf(value.toUpperCase(Locale.ROOT)));
				case "--duration" -> duration = duration(value);
				case "--callers" -> callers = Integer.parseInt(value);
				case "--fault-interval" -> faultInterval = duration(value);
				case "--out" -> out = Path.of(value);
				default -> throw new IllegalArgumentException("Unknown option " + args[i]
						+ "; use --database, --duration, --callers, --fault-interval or --out");
			}
			i++;
		}
		boolean held = true;
		for (SoakTarget target : targets) {
			String problem = target.problem();
			if (problem != null) {
				System.err.println("Cannot soak " + target + ": " + problem);
				held = false;
				continue;
			}
			SoakReport report = new Soak(target, duration, callers, faultInterval).run();
			System.out.println(report);
			if (out != null) {
				write(out, report.toString());
			}
			held &= report.allHeld();
		}
		System.exit(held ? 0 : 1);
	}

	/**
	 * Parse {@code 90s}, {@code 30m}, {@code 1h}, or an ISO-8601 duration.
	 */
	static Duration duration(String value) {
		String text = value.strip().toLowerCase(Locale.ROOT);
		if (text.startsWith("p")) {
			return Duration.parse(text);
		}
		long amount = Long.parseLong(text.substring(0, text.length() - 1));
		return switch (text.charAt(text.length() - 1)) {
			case 's' -> Duration.ofSeconds(amount);
			case 'm' -> Duration.ofMinutes(amount);
			case 'h' -> Duration.ofHours(amount);
			default -> throw new IllegalArgumentException("A duration is like 90s, 30m or 1h, not " + value);
		};
	}

	private static void write(Path out, String text) throws IOException {
		Files.writeString(out, text + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
	}

}
