// Subcommand entry points (argv[0] is the subcommand name). Each throws BadInput on bad input.
#pragma once
namespace helm {
int cmd_run(int argc, char** argv);
int cmd_forward(int argc, char** argv);
int cmd_report(int argc, char** argv);
int cmd_sim(int argc, char** argv);
int cmd_calibrate(int argc, char** argv);
int cmd_fidelity(int argc, char** argv);
int cmd_trace(int argc, char** argv);
int cmd_oracle(int argc, char** argv);
int cmd_capacity(int argc, char** argv);
int cmd_train(int argc, char** argv);
}  // namespace helm
