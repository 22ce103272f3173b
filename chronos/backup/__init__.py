"""Backing up a data folder into one archive while Chronos runs, and restoring it."""
from chronos.backup.create import BackupReport, create_backup
from chronos.backup.lock import DataFolderBusy, exclusive_data_folder, using_data_folder
from chronos.backup.manifest import BackupError
from chronos.backup.restore import RestoreReport, holds_data, restore_backup

__all__ = ["BackupError", "BackupReport", "DataFolderBusy", "RestoreReport", "create_backup",
           "exclusive_data_folder", "holds_data", "restore_backup", "using_data_folder"]
