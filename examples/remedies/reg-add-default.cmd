@echo off
rem reg add with the default path as REG_SZ: breaks REG_EXPAND_SZ values
rem and every server not installed in C:\Exchsrvr.
reg add "HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS" /v ImagePath /t REG_SZ /d "C:\Exchsrvr\Bin\Kmserver.exe" /f
