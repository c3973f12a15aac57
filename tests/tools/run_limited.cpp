// Runs a command under a memory limit and a timeout, for the bad-input corpus:
// a malformed input must neither allocate without bound nor hang.
//
//   run_limited DATA_MIB TIMEOUT_SECONDS COMMAND [ARGS...]
//
// DATA_MIB limits the process's data segment and private mappings
// (RLIMIT_DATA); 0 leaves it unlimited (sanitizer builds reserve large shadow
// mappings). Exit status: the command's, 128 + signal if it died, 124 on timeout.

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: run_limited DATA_MIB TIMEOUT_SECONDS COMMAND [ARGS...]\n");
    return 2;
  }
  const long mib = std::strtol(argv[1], nullptr, 10);
  const long seconds = std::strtol(argv[2], nullptr, 10);
  const pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    return 2;
  }
  if (child == 0) {
    if (mib > 0) {
      const rlimit limit{static_cast<rlim_t>(mib) << 20, static_cast<rlim_t>(mib) << 20};
      if (setrlimit(RLIMIT_DATA, &limit) != 0) {
        std::perror("setrlimit");
        _exit(2);
      }
    }
    execv(argv[3], argv + 3);
    std::perror("execv");
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (true) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) {
      break;
    }
    if (done < 0 && errno != EINTR) {
      std::perror("waitpid");
      return 2;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      std::fprintf(stderr, "run_limited: timed out after %ld s\n", seconds);
      return 124;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}
